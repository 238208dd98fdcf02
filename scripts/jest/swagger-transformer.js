// ts-jest adapter for the @nestjs/swagger compiler plugin (the build applies it through webpack).
const plugin = require('@nestjs/swagger/plugin');

module.exports = {
  name: 'nestjs-swagger-transformer',
  version: 1,
  factory: (compiler) =>
    plugin.before(
      { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] },
      compiler.program,
    ),
};
