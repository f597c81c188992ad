// A stand-in for a training run, cheap enough to search 1,000 times in seconds.
// Its "validation accuracy" peaks at lr = 10^-2.5 and weight decay = 10^-6 (the region the
// book's best-5 search finds), and it reports a learning curve per epoch like a real trial.
export default async function quadratic(params, ctx) {
  const lr = Math.log10(params.learning_rate);
  const wd = Math.log10(params.weight_decay);
  const peak = 0.9 - 0.06 * (lr + 2.5) ** 2 - 0.01 * (wd + 6) ** 2;
  const epochs = params.epochs ?? 5;
  let valAccuracy = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const trainAccuracy = Math.max(0.1, peak) * (1 - 0.5 ** epoch);
    valAccuracy = Math.max(0.1, 0.95 * trainAccuracy);
    ctx.report(epoch, { train_accuracy: trainAccuracy, val_accuracy: valAccuracy, train_loss: -Math.log(trainAccuracy) });
  }
  return valAccuracy;
}
