export declare const webDistDir: string;
export declare function webStaleness(): string | undefined;
export declare function buildWebIfStale(): string | undefined;
