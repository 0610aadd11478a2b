/** A handler string split as osls reads it (see handler-path.cjs). */
export declare function splitHandler(handler: string): { module: string; exportName: string };
