/** A problem with a model folder (missing file, bad header, wrong tensor): the CLI exits with code 2. */
import { ConfigError } from '../config';

export class ModelError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}
