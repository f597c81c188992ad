// Define-by-run: the objective asks for its params while it runs, and its branches decide what
// else to ask, as Optuna users write. A cheap stand-in for training (like quadratic.mjs): its
// "validation accuracy" peaks at lr = 10^-2.5, and the optimizer's own settings move it:
// momentum is best near 0.9, adam's beta1 near 0.9. sgd asks for nothing more; momentum asks
// for momentum, adam for beta1. The space file (../define-by-run.yaml) declares no params.
export default async function objective(_params, ctx) {
  const lr = await ctx.suggestFloat('learning_rate', 1e-6, 1e-1, { log: true });
  const optimizer = await ctx.suggestCategorical('optimizer', ['sgd', 'momentum', 'adam']);
  let bonus = 0;
  if (optimizer === 'momentum') {
    const momentum = await ctx.suggestFloat('momentum', 0.5, 0.99);
    bonus = 0.04 - 0.5 * (momentum - 0.9) ** 2;
  } else if (optimizer === 'adam') {
    const beta1 = await ctx.suggestFloat('beta1', 0.5, 0.99);
    bonus = 0.05 - 0.5 * (beta1 - 0.9) ** 2;
  }
  const peak = 0.85 + bonus - 0.06 * (Math.log10(lr) + 2.5) ** 2;
  let valAccuracy = 0;
  for (let epoch = 1; epoch <= 5; epoch++) {
    const trainAccuracy = Math.max(0.1, peak) * (1 - 0.5 ** epoch);
    valAccuracy = Math.max(0.1, 0.95 * trainAccuracy);
    ctx.report(epoch, { train_accuracy: trainAccuracy, val_accuracy: valAccuracy, train_loss: -Math.log(trainAccuracy) });
  }
  return valAccuracy;
}
