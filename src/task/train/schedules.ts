/**
 * Learning-rate schedules, evaluated once per epoch. `epoch` counts the epochs already done, so
 * the first epoch always trains at the base rate.
 */
import type { Schedule, TrainSpec } from '../types.js';

export function learningRateAt(train: Pick<TrainSpec, 'learningRate' | 'schedule'>, epoch: number): number {
  const lr = train.learningRate;
  const schedule: Schedule = train.schedule;
  switch (schedule.type) {
    case 'constant':
      return lr;
    case 'exponential':
      return lr * schedule.rate ** (epoch / schedule.every);
    case 'step':
      return lr * schedule.factor ** Math.floor(epoch / schedule.every);
    case 'power':
      return lr * (1 + epoch / schedule.every) ** -schedule.power;
  }
}
