/** One jest run for the whole workspace: unit specs next to the code, API integration specs in apps/api/test. */
const tsJest = [
  'ts-jest',
  {
    tsconfig: '<rootDir>/tsconfig.spec.json',
    // The same @nestjs/swagger compiler plugin as the build, so the OpenAPI drift test sees what production serves.
    astTransformers: { before: ['<rootDir>/scripts/jest/swagger-transformer.js'] },
    diagnostics: false,
  },
];

// content-disposition (used by @fastify/static) ships only ESM, which jest cannot require on Node 20: compile it.
const esmOnlyPackages = ['content-disposition'];

const common = {
  transform: {
    '^.+\\.ts$': tsJest,
    '^.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs' }, diagnostics: false }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  moduleNameMapper: {
    '^@consortium/domain$': '<rootDir>/libs/domain/src/index.ts',
    '^@consortium/auth$': '<rootDir>/libs/auth/src/index.ts',
    '^@consortium/api-client$': '<rootDir>/libs/api-client/src/index.ts',
    '^@consortium/migrations$': '<rootDir>/migrations/index.ts',
  },
  testEnvironment: 'node',
};

module.exports = {
  rootDir: __dirname,
  // Integration specs boot the app and talk to PostgreSQL; a loaded CI machine needs more than jest's 5 s default.
  // A global option: jest ignores it inside a project's configuration.
  testTimeout: 30_000,
  globalSetup: '<rootDir>/scripts/jest/global-setup.ts',
  globalTeardown: '<rootDir>/scripts/jest/global-teardown.ts',
  projects: [
    { ...common, displayName: 'domain', testMatch: ['<rootDir>/libs/domain/src/**/*.spec.ts'] },
    { ...common, displayName: 'auth', testMatch: ['<rootDir>/libs/auth/src/**/*.spec.ts'] },
    { ...common, displayName: 'api-client', testMatch: ['<rootDir>/libs/api-client/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'api',
      testMatch: ['<rootDir>/apps/api/src/**/*.spec.ts', '<rootDir>/apps/api/test/**/*.e2e-spec.ts'],
    },
    { ...common, displayName: 'admin', testMatch: ['<rootDir>/apps/admin/test/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'admin-browser',
      testMatch: ['<rootDir>/apps/admin/test/**/*.browser-spec.ts'],
      // Builds the admin UI once for the browser tests (into tmp/, leaving dist/ to `npm start`).
      globalSetup: '<rootDir>/apps/admin/test/support/build-admin.ts',
    },
  ],
};
