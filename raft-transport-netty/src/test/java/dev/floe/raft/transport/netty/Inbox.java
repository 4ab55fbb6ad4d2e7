package dev.floe.raft.transport.netty;

import dev.floe.raft.message.RaftMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Collects the messages a transport delivers. Thread-safe. */
final class Inbox implements Consumer<RaftMessage> {
  private final List<RaftMessage> received = new CopyOnWriteArrayList<>();

  @Override
  public void accept(RaftMessage m) {
    received.add(m);
  }

  List<RaftMessage> received() {
    return List.copyOf(received);
  }

  int size() {
    return received.size();
  }
}
