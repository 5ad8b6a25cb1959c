import { reviewSuite } from './review-e2e-suite.js';
import { node24 } from './run-action.js';

// `runs.using: node24`: what GitHub's runners (and Gitea's act_runner with a node24 image) use.
reviewSuite(node24, 'Node 24');
