const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

// The API is bundled so that the libs' path aliases and the migrations resolve without a runtime loader.
// node_modules stay external; the @nestjs/swagger plugin documents DTOs from their TypeScript types.
module.exports = {
  mode: 'production',
  output: { path: join(__dirname, '../../dist/apps/api') },
  devtool: 'source-map',
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: join(__dirname, 'src/main.ts'),
      additionalEntryPoints: [{ entryName: 'cli', entryPath: join(__dirname, 'src/cli.ts') }],
      tsConfig: join(__dirname, 'tsconfig.app.json'),
      outputHashing: 'none',
      optimization: false,
      sourceMap: true,
      generatePackageJson: false,
      transformers: [
        {
          name: '@nestjs/swagger/plugin',
          options: { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] },
        },
      ],
    }),
  ],
};
