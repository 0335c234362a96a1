import type { Logger } from 'pino';
import type { AwsProvider } from '../aws/types';

/** Top-level `gcp:` settings that the BigQuery connector honours. */
export interface GcpSettings {
  projectId?: string;
  location?: string;
  /** Override of the BigQuery REST endpoint (tests, emulators). */
  apiEndpoint?: string;
}

/** What a connector needs from the engine when it opens. */
export interface OpenContext {
  configDir: string;
  log: Logger;
  gcp?: GcpSettings;
  aws?: AwsProvider;
}

/** Tracks open sessions for {@link ConnectorStats}. */
export class SessionCounter {
  roundTrips = 0;
  connectionsOpened = 0;
  peakConnections = 0;
  private open = 0;

  opened(): void {
    this.connectionsOpened++;
    this.open++;
    this.peakConnections = Math.max(this.peakConnections, this.open);
  }

  closed(): void {
    this.open = Math.max(0, this.open - 1);
  }

  snapshot(): { roundTrips: number; connectionsOpened: number; peakConnections: number } {
    return {
      roundTrips: this.roundTrips,
      connectionsOpened: this.connectionsOpened,
      peakConnections: this.peakConnections,
    };
  }
}
