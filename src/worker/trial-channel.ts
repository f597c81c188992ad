import type { MessagePort } from 'node:worker_threads';
import { askedAfterEnd, suggestionRefused } from '../engine/suggestions.js';
import type { Metrics, ParamValue } from '../space/types.js';
import type { ReportMember, ReportStep, SuggestParam } from '../objectives/trial-run.js';
import type { MainMessage, ReportMessage, SuggestMessage } from './messages.js';

interface PendingSuggestion {
  name: string;
  promise: Promise<ParamValue>;
  resolve: (value: ParamValue) => void;
  reject: (error: Error) => void;
}

/**
 * The worker's end of a trial's port. Each report is posted to the main thread, which stores it,
 * decides, and answers in the order the reports came: `report` resolves to that decision. Each
 * param asked for is posted with an id of its own, and `suggest` settles with the answer that
 * names the id, whenever it comes.
 */
export class TrialChannel {
  readonly #port: MessagePort;
  readonly #waiting: ((stop: boolean) => void)[] = [];
  readonly #suggestions = new Map<number, PendingSuggestion>();
  #reports = 0;
  #nextId = 0;
  #closed = false;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (message: MainMessage) => {
      switch (message.type) {
        case 'decision':
          this.#waiting.shift()?.(message.stop);
          return;
        case 'suggestion': {
          const pending = this.#suggestions.get(message.id);
          if (pending === undefined) return;
          this.#suggestions.delete(message.id);
          if ('error' in message) pending.reject(suggestionRefused(message.error));
          else pending.resolve(message.value);
          return;
        }
      }
    });
  }

  /** Reports posted so far (the main thread waits for all of them before storing the end). */
  get reports(): number {
    return this.#reports;
  }

  readonly report: ReportStep = (step: number, metrics: Metrics) => this.#post({ type: 'report', step, metrics });

  /** A pack's report of member `member`: answered in the same order as every other report on the port. */
  readonly reportMember: ReportMember = (member: number, step: number, metrics: Metrics) => this.#post({ type: 'report', member, step, metrics });

  #post(message: ReportMessage): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      this.#waiting.push(resolve);
      this.#reports++;
      this.#port.postMessage(message);
    });
  }

  readonly suggest: SuggestParam = (name, spec) => {
    if (this.#closed) return askedAfterEnd(name);
    const id = this.#nextId++;
    let resolve: (value: ParamValue) => void = () => undefined;
    let reject: (error: Error) => void = () => undefined;
    const promise = new Promise<ParamValue>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#suggestions.set(id, { name, promise, resolve, reject });
    const message: SuggestMessage = { type: 'suggest', id, name, spec };
    this.#port.postMessage(message);
    return promise;
  };

  /** Ends the trial's side of the conversation: a report still waiting is told to stop, a param still asked for is refused. */
  close(): void {
    this.#closed = true;
    for (const resolve of this.#waiting.splice(0)) resolve(true);
    for (const [id, pending] of this.#suggestions) {
      this.#suggestions.delete(id);
      // The same refusal as a later call's, handled so that an unawaited call cannot take the thread down.
      askedAfterEnd(pending.name).catch(pending.reject);
      pending.promise.catch(() => undefined);
    }
    this.#port.close();
  }
}
