import { DomainError } from './domain-error';

/**
 * A finite state machine described by its allowed transitions: `transitions[from][action] = to`.
 * Anything not listed is illegal and raises a conflict naming the state and the action.
 */
export class StateMachine<S extends string, A extends string> {
  constructor(
    readonly name: string,
    private readonly transitions: Readonly<Record<S, Partial<Record<A, S>>>>,
  ) {}

  /** The state reached by taking `action` from `from`, or a conflict error when that is not allowed. */
  next(from: S, action: A): S {
    const to = this.transitions[from]?.[action];
    if (to === undefined) {
      throw new DomainError(
        'conflict',
        'illegal-transition',
        `Cannot ${action.replace(/_/g, ' ')} a ${this.name} that is ${from.replace(/_/g, ' ')}`,
        { from, action },
      );
    }
    return to;
  }

  can(from: S, action: A): boolean {
    return this.transitions[from]?.[action] !== undefined;
  }

  /** The actions available from a state, for clients that want to show only what can be done. */
  actionsFrom(from: S): A[] {
    return Object.keys(this.transitions[from] ?? {}) as A[];
  }
}
