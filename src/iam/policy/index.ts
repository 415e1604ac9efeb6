/**
 * The IAM policy language as a pure module: parsing and validating policy documents, and
 * AWS's evaluation logic for requests within one account.
 */
export { parsePolicy, POLICY_ERRORS, type ParseOptions } from './parse.js';
export { evaluate } from './evaluate.js';
export { actionMatches, arnMatches } from './match.js';
export { ipInCidr } from './ip.js';
