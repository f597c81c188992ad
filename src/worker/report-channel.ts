import type { MessagePort } from 'node:worker_threads';
import type { Metrics } from '../space/types.js';
import type { ReportStep } from '../objectives/trial-run.js';
import type { MainMessage, ReportMessage } from './messages.js';

/**
 * The worker's end of a trial's port: each report is posted to the main thread, which stores
 * it, decides, and answers in the order the reports came. `report` resolves to that decision.
 */
export class ReportChannel {
  readonly #port: MessagePort;
  readonly #waiting: ((stop: boolean) => void)[] = [];
  #reports = 0;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (message: MainMessage) => {
      if (message.type === 'decision') this.#waiting.shift()?.(message.stop);
    });
  }

  /** Reports posted so far (the main thread waits for all of them before storing the end). */
  get reports(): number {
    return this.#reports;
  }

  readonly report: ReportStep = (step: number, metrics: Metrics) =>
    new Promise<boolean>((resolve) => {
      this.#waiting.push(resolve);
      this.#reports++;
      const message: ReportMessage = { type: 'report', step, metrics };
      this.#port.postMessage(message);
    });

  /** Ends the trial's side of the conversation; anyone still waiting is told to stop. */
  close(): void {
    for (const resolve of this.#waiting.splice(0)) resolve(true);
    this.#port.close();
  }
}
