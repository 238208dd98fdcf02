// globalSetup runs outside jest's module mapper: resolve the libs' path aliases from tsconfig.base.json.
import { register } from 'tsconfig-paths';
import { join } from 'node:path';
import { compilerOptions } from '../../tsconfig.base.json';

register({ baseUrl: join(__dirname, '..', '..'), paths: compilerOptions.paths });
