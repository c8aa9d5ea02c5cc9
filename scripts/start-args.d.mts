// Types of scripts/start-args.mjs (plain JS so `npm start` runs without a build).
export declare const devKeysNote: string;
export declare function electronArgs(extra: readonly string[]): string[];
export declare function browserHostArgs(extra: readonly string[]): string[];
