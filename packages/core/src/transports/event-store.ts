import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

interface StoredEvent {
  readonly id: EventId;
  readonly message: JSONRPCMessage;
}

/**
 * Remembers the last events of each SSE stream of one session so a client that lost its
 * connection mid-call can resume with Last-Event-ID. Bounded per stream and per session: old
 * events and old streams are dropped, so a slow or absent reader cannot grow memory.
 */
export class BoundedEventStore implements EventStore {
  readonly #streams = new Map<StreamId, StoredEvent[]>();
  #sequence = 0;

  constructor(
    private readonly maxEventsPerStream = 128,
    private readonly maxStreams = 32,
  ) {}

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.#sequence += 1;
    const id = `${streamId}:${this.#sequence}`;
    let events = this.#streams.get(streamId);
    if (!events) {
      if (this.#streams.size >= this.maxStreams) {
        const oldest = this.#streams.keys().next().value;
        if (oldest !== undefined) this.#streams.delete(oldest);
      }
      events = [];
      this.#streams.set(streamId, events);
    }
    events.push({ id, message });
    if (events.length > this.maxEventsPerStream) events.shift();
    return id;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    const streamId = eventId.slice(0, eventId.lastIndexOf(':'));
    return this.#streams.has(streamId) ? streamId : undefined;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const streamId = lastEventId.slice(0, lastEventId.lastIndexOf(':'));
    const after = Number(lastEventId.slice(lastEventId.lastIndexOf(':') + 1));
    for (const event of this.#streams.get(streamId) ?? []) {
      if (Number(event.id.slice(event.id.lastIndexOf(':') + 1)) > after) await send(event.id, event.message);
    }
    return streamId;
  }
}
