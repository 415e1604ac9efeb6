export { configSchema, ENV_NAMES, METRICS_TOKEN_ENV, type VigilConfig } from './schema.js';
export { loadConfig, readConfigFile, ConfigError, type ConfigFile } from './load.js';
export {
  resolveRootCredentials,
  readStored,
  CREDENTIALS_FILE,
  type RootCredentials,
} from './credentials.js';
