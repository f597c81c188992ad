/** The TF.js namespace the task trains with, whichever backend it runs on. */
export type Tf = typeof import('@tensorflow/tfjs');
