/** The remote moderation backends: Amazon Rekognition, and a user's own HTTP classifier. */
export {
  MAX_REKOGNITION_BYTES,
  RekognitionModerator,
  createRekognitionModerator,
  credentialsFromEnv,
  type AwsCredentials,
  type RekognitionModeratorOptions,
} from './rekognition.js';
export { HttpModerator, createHttpModerator, type HttpModeratorOptions } from './http.js';
export { TAXONOMY_V7, ancestry, type TaxonomyEntry } from './taxonomy-v7.js';
