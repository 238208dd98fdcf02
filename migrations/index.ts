import { Foundation1795539564081 } from './1795539564081-Foundation';
import { Catalogue1795540561420 } from './1795540561420-Catalogue';

/** Every migration in order. Listed explicitly so the bundled API carries them. */
export const MIGRATIONS = [Foundation1795539564081, Catalogue1795540561420];
