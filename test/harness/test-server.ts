/** A database server started for the test run. */
export interface TestServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Where global-teardown finds the servers: jest runs globalSetup and globalTeardown in the same process. */
export interface HarnessGlobals {
  guardrailTestServers?: TestServer[];
  /** The run's temporary folder (TMPDIR for every test), removed by global-teardown. */
  guardrailTestTmp?: string;
}
