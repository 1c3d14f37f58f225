/** Argument checks shared by the model builders: each names the option and what was expected. */

/** An image shape `[height, width, channels]` of positive integers. */
export type ImageShape = [number, number, number];

export function checkImageShape(shape: unknown, who: string): ImageShape {
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(
      `${who}: inputShape must be [height, width, channels] of positive integers (NHWC without the batch), got ${JSON.stringify(shape)}`,
    );
  }
  return [shape[0], shape[1], shape[2]];
}

export function checkPositiveInt(value: unknown, option: string, who: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new Error(`${who}: ${option} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

export function checkSeed(value: unknown, who: string): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value)) throw new Error(`${who}: seed must be an integer, got ${JSON.stringify(value)}`);
  return value as number;
}
