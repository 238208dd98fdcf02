import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

const FRAMEWORKS = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'fastify',
  '@fastify/*',
  'express',
  'passport*',
  'class-validator',
  'class-transformer',
  'react',
  'react-dom',
  'react-admin',
  'ra-core',
];

/** Which projects may import which: tags in each project.json. */
const moduleBoundaries = {
  enforceBuildableLibDependency: true,
  allow: [],
  depConstraints: [
    // Apps never import each other: only libraries may be depended on.
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:domain'] },
    { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:domain'] },
    // The domain is plain TypeScript: no framework, no database, no HTTP.
    {
      sourceTag: 'type:domain',
      onlyDependOnLibsWithTags: ['type:domain'],
      bannedExternalImports: FRAMEWORKS,
    },
    { sourceTag: 'scope:backend', onlyDependOnLibsWithTags: ['scope:backend', 'scope:shared'] },
    { sourceTag: 'scope:frontend', onlyDependOnLibsWithTags: ['scope:frontend', 'scope:shared'] },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  ],
};

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.nx',
      '**/coverage',
      '.data',
      'tmp*',
      'apps/admin/src/api/schema.d.ts',
      'libs/api-client/src/schema.d.ts',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'apps/api/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The admin UI's browser tests boot the real API through its test support: a test of the two apps together,
    // not a dependency of one app on the other (apps/admin/project.json removes the inferred admin → api edge).
    files: ['apps/admin/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { ...moduleBoundaries, allow: ['../../api/test/support/*', '../../../api/test/support/*'] },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
];
