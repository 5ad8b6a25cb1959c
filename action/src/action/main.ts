import * as core from '@actions/core';

// Placeholder until the pull-request action lands.
core.setFailed('egress-gate action: not available yet');
