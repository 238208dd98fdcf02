import { DomainError } from '@consortium/domain';
import { ConfigurationError } from '../config/environment';
import { ProblemException } from '../common/problem';
import { CommandFailed } from './operator-commands';

/** The reason a command failed, as one message for the operator; only unexpected errors show a stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof ConfigurationError || error instanceof CommandFailed) return error.message;
  if (error instanceof ProblemException) {
    const problem = error.toProblem();
    return `${problem.title}: ${problem.detail ?? ''}`.trim();
  }
  if (error instanceof DomainError) return `${error.message} (${error.code})`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
