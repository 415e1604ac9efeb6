import { resolve } from 'node:path';
import { configSchema } from '../config/index.js';

/** The data directory Vigil uses when no flag, variable or config file names one. */
export const DEFAULT_DATA_DIR: string = configSchema.shape.dataDir.parse(undefined);

/**
 * A `npx vigil …` command line to print as a hint. It names the data directory unless that
 * is the default, because a hint that runs against `./data` while Vigil uses another
 * directory finds nothing (or the wrong thing) there.
 *
 * @example
 * vigilCommand('credentials', './data');        // npx vigil credentials
 * vigilCommand('credentials', '/srv/my vigil'); // npx vigil credentials --data-dir '/srv/my vigil'
 */
export function vigilCommand(args: string, dataDir: string): string {
  const command = `npx vigil ${args}`;
  if (resolve(dataDir) === resolve(DEFAULT_DATA_DIR)) return command;
  return `${command} --data-dir ${shellQuote(dataDir)}`;
}

/** A word as a POSIX shell reads it back unchanged: bare when safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
