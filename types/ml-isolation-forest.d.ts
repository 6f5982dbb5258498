// ml-isolation-forest ships no types; the benchmark and the forest's oracle test use this much.
declare module 'ml-isolation-forest' {
  export class IsolationForest {
    constructor(options?: { nEstimators?: number });
    train(rows: number[][]): void;
    predict(rows: number[][]): number[];
  }
}
