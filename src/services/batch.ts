/**
 * Runs `step` on each item in turn, one failure not stopping the others (a broken envelope must
 * not hold up every later one); returns how many steps did something, then reports the failures.
 */
export async function runEach<T>(
  items: readonly T[],
  step: (item: T) => Promise<boolean>,
): Promise<number> {
  let done = 0;
  const failures: unknown[] = [];
  for (const item of items) {
    try {
      if (await step(item)) done++;
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} of ${items.length} failed`);
  return done;
}
