import { reviewSuite } from './review-e2e-suite.js';

// The Node that runs the tests (20 on this machine), which the CLI keeps supporting.
reviewSuite(process.execPath, `Node ${process.versions.node.split('.')[0]}`);
