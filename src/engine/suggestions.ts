/**
 * Answering the params a running trial asks for (define-by-run), the same way wherever the trial
 * runs: an answer is its value, or the error's code and message, which the trial's promise then
 * rejects with (see SuggestionMessage).
 */
import { HpsearchError } from '../errors.js';
import type { SuggestParam } from '../objectives/trial-run.js';
import type { SuggestionError, SuggestionMessage, SuggestMessage } from '../worker/messages.js';

/** The answer to one SuggestMessage: never rejects, a refusal is an answer too. */
export async function answerSuggestion(suggest: SuggestParam, { id, name, spec }: SuggestMessage): Promise<SuggestionMessage> {
  try {
    return { type: 'suggestion', id, value: await suggest(name, spec) };
  } catch (error) {
    return { type: 'suggestion', id, error: suggestionError(error) };
  }
}

/** An error as a refused suggestion carries it; one that is not hpsearch's own is a bug (E_INTERNAL). */
export function suggestionError(error: unknown): SuggestionError {
  if (error instanceof HpsearchError) return { code: error.code, message: error.message };
  return { code: 'E_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** A refused suggestion as the error the trial's promise rejects with. */
export function suggestionRefused(error: SuggestionError): HpsearchError {
  return new HpsearchError(error.code, error.message);
}

/**
 * The refusal of a param asked for when its trial had ended already (its objective did not await
 * the call). Marked as handled: nobody may be left to catch it, and it must not take the thread
 * down as an unhandled rejection; whoever still awaits it gets it.
 */
export function askedAfterEnd(name: string): Promise<never> {
  const refused = Promise.reject(
    new HpsearchError(
      'E_USAGE',
      `param ${JSON.stringify(name)} was asked for and not awaited before the trial ended (its objective returned or threw first): await every ctx.suggest* call`,
    ),
  );
  refused.catch(() => undefined);
  return refused;
}
