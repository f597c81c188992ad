/**
 * conv2d (stride 1, "same" padding) that can be differentiated on backends lacking the
 * Conv2DBackpropFilter kernel: the wasm backend of TF.js 4.22 has the forward and input-gradient
 * kernels but not that one, so autodiff through tf.conv2d throws there. Both gradients are
 * written as forward convolutions, which the wasm backend runs on XNNPACK.
 *
 * The filter gradient is itself a convolution: dW[i, j, c, o] = Σ_{n,y,x} Xpad[n, y+i, x+j, c]·dY[n, y, x, o].
 * Swapping the batch and channel axes turns it into conv2d(Xpadᵀ [c, Hp, Wp, n], dYᵀ [H, W, n, o])
 * with "valid" padding, whose output [c, kh, kw, o] is dW with its axes permuted.
 */
import type { GradSaveFunc, Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';

export function hasKernel(tf: Tf, kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

export function conv2dSame(tf: Tf, x: Tensor4D, filter: Tensor4D): Tensor4D {
  if (hasKernel(tf, 'Conv2DBackpropFilter')) return tf.conv2d(x, filter, 1, 'same');
  const conv = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [input, kernel, save] = args as [Tensor4D, Tensor4D, GradSaveFunc];
    save([input, kernel]);
    return {
      value: tf.conv2d(input, kernel, 1, 'same'),
      gradFunc: (dy: Tensor4D, saved: Tensor[]) => {
        const [xs, w] = saved as [Tensor4D, Tensor4D];
        return [inputGradient(tf, dy, w), filterGradient(tf, xs, dy, w.shape)];
      },
    };
  });
  return conv(x, filter) as Tensor4D;
}

/**
 * dL/dX of a stride-1 "same" convolution, as a convolution of dY with the kernel flipped in space
 * and in/out swapped. TF.js's own (conv2dTranspose: the wasm Conv2DBackpropInput kernel) is a
 * plain loop there, measured ~10× slower than this on XNNPACK (330 ms against ~35 ms for the
 * seeds' second conv on a batch of 100).
 */
export function inputGradient(tf: Tf, dy: Tensor4D, filter: Tensor4D): Tensor4D {
  const [kh, kw] = filter.shape;
  const top = Math.floor((kh - 1) / 2);
  const left = Math.floor((kw - 1) / 2);
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
  return tf.conv2d(dy, flipped, 1, [[0, 0], [kh - 1 - top, top], [kw - 1 - left, left], [0, 0]]);
}

/** dL/dW of a stride-1 "same" convolution, via the batch↔channel swap above. */
export function filterGradient(tf: Tf, x: Tensor4D, dy: Tensor4D, filterShape: [number, number, number, number]): Tensor4D {
  const [kh, kw] = filterShape;
  // TensorFlow's "same": the odd pixel of padding goes after (bottom, right).
  const top = Math.floor((kh - 1) / 2);
  const left = Math.floor((kw - 1) / 2);
  const padded = tf.pad(x, [[0, 0], [top, kh - 1 - top], [left, kw - 1 - left], [0, 0]]);
  const input = tf.transpose(padded, [3, 1, 2, 0]);
  const kernel = tf.transpose(dy, [1, 2, 0, 3]);
  return tf.transpose(tf.conv2d(input, kernel, 1, 'valid'), [1, 2, 0, 3]);
}
