/**
 * Job states and the transition table: the one definition of the lifecycle. docs/state-machine.md is checked
 * against TRANSITIONS by test/core/docs-in-step.test.ts, and the model-based driver test checks every state change a
 * store makes against it. Stores keep each state as an integer code (driver/state-codes.ts); their CHECK constraints
 * state the same sets as ranges of those codes, by hand.
 */

/** Every state a job can be in. */
export const JOB_STATES = ['scheduled', 'running', 'completed', 'failed', 'cancelled', 'expired', 'skipped'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves on its own; only a replay moves it back to scheduled. */
export const FINAL_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled', 'expired', 'skipped'];

/** The events that move a job, named as in docs/state-machine.md. */
export type TransitionEvent =
  | 'claim'
  | 'complete'
  | 'skip'
  | 'fail-retry'
  | 'fail-final'
  | 'snooze'
  | 'hand-back'
  | 'lease-expired-retry'
  | 'lease-expired-final'
  | 'cancel'
  | 'deadline-passed'
  | 'replay'
  | 'replace'
  | 'release'
  | 'dependency-failed';

/** One allowed move. */
export interface Transition {
  readonly from: JobState;
  readonly event: TransitionEvent;
  readonly to: JobState;
}

/** The whole lifecycle. Anything not listed here is refused by the store (fenced UPDATEs) and by {@link canTransition}. */
export const TRANSITIONS: readonly Transition[] = [
  { from: 'scheduled', event: 'claim', to: 'running' },
  { from: 'scheduled', event: 'cancel', to: 'cancelled' },
  { from: 'scheduled', event: 'deadline-passed', to: 'expired' },
  { from: 'scheduled', event: 'replace', to: 'scheduled' },
  // A held job (waiting for its dependencies) is released by the end of its last one, or cancelled by the end of one
  // that did not complete (policy 'cancel'). Held is a scheduled job out of the claim's reach (docs/flows.md).
  { from: 'scheduled', event: 'release', to: 'scheduled' },
  { from: 'scheduled', event: 'dependency-failed', to: 'cancelled' },
  { from: 'running', event: 'complete', to: 'completed' },
  { from: 'running', event: 'skip', to: 'skipped' },
  { from: 'running', event: 'fail-retry', to: 'scheduled' },
  { from: 'running', event: 'fail-final', to: 'failed' },
  { from: 'running', event: 'snooze', to: 'scheduled' },
  { from: 'running', event: 'hand-back', to: 'scheduled' },
  { from: 'running', event: 'lease-expired-retry', to: 'scheduled' },
  { from: 'running', event: 'lease-expired-final', to: 'failed' },
  { from: 'running', event: 'cancel', to: 'cancelled' },
  { from: 'completed', event: 'replay', to: 'scheduled' },
  { from: 'failed', event: 'replay', to: 'scheduled' },
  { from: 'cancelled', event: 'replay', to: 'scheduled' },
  { from: 'expired', event: 'replay', to: 'scheduled' },
  { from: 'skipped', event: 'replay', to: 'scheduled' },
];

/** True when the table allows `event` to move a job from `from`. */
export function canTransition(from: JobState, event: TransitionEvent): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.event === event);
}

/** The state `event` leads to from `from`, or undefined when the move is not allowed. */
export function nextState(from: JobState, event: TransitionEvent): JobState | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.event === event)?.to;
}

/**
 * The events that move a job from `from` to `to` in one step; empty when the table has no such move. Lets a test
 * that only sees states before and after (the model-based driver run) ask the table whether a change is allowed.
 */
export function transitionsBetween(from: JobState, to: JobState): TransitionEvent[] {
  return TRANSITIONS.filter((t) => t.from === from && t.to === to).map((t) => t.event);
}

export function isFinalState(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

/** How one attempt (one execution, or one run that did not count) ended, as recorded in the attempt history. */
export const ATTEMPT_OUTCOMES = [
  'completed', // handler resolved
  'skipped', // handler called skip(reason)
  'failed', // handler threw a retryable error or timed out; retry follows if attempts remain
  'unrecoverable', // handler threw UnrecoverableError; failed at once
  'timeout', // the per-attempt timeout fired before the handler settled
  'snoozed', // handler called snooze(ms); does not count as an attempt
  'handed-back', // graceful shutdown aborted it; does not count as an attempt
  'lease-expired', // the worker died or stalled; found by the lease rescuer
  'cancelled', // cancelled while running
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
