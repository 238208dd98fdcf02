import 'reflect-metadata';
import { consoleOutput } from './cli/context';
import { describeFailure } from './cli/failure';
import { runCli } from './cli/run-cli';

runCli(process.argv.slice(2), consoleOutput()).catch((error: unknown) => {
  console.error(describeFailure(error));
  process.exit(1);
});
