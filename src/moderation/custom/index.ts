/** The user's own ONNX classifiers (moderation.models): config, mapping and loading. */
export {
  NORMALISATION_PRESETS,
  customModelSchema,
  customModelsSchema,
  ownLabelNames,
  type CustomModelConfig,
  type Normalisation,
  type OutputKind,
} from './schema.js';
export { chain, userLabels, type MapTarget, type UserLabels } from './label-chain.js';
export {
  customLabels,
  mergeLabels,
  modelMapping,
  toConfidence,
  type MappedClass,
  type ModelMapping,
} from './mapping.js';
