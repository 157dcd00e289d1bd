package io.siloreports.db;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connections kept open between operations. Opening one costs far more than a status read itself (SQLite: the file,
 * its WAL and the pragmas, ~5 ms; MySQL: a handshake), and the report service answers a page's polls many times a
 * second. A borrowed connection is checked with {@link Connection#isValid} (a ping on MySQL, so one broken by a
 * server restart is replaced, not handed out); closing it rolls back what was left open, restores auto-commit and
 * keeps it for the next caller, up to {@code maxIdle}. No background threads: a short-lived job pays nothing.
 */
public final class ConnectionPool implements AutoCloseable {
  /** Opens and prepares a new connection. */
  @FunctionalInterface
  public interface Opener {
    Connection open() throws SQLException;
  }

  private final Opener opener;
  private final int maxIdle;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger idleCount = new AtomicInteger();
  private volatile boolean closed;

  public ConnectionPool(Opener opener, int maxIdle) {
    this.opener = opener;
    this.maxIdle = maxIdle;
  }

  /** A connection whose {@code close()} hands it back to the pool. */
  public Connection borrow() throws SQLException {
    Connection raw;
    while ((raw = idle.pollFirst()) != null) {
      idleCount.decrementAndGet();
      if (raw.isValid(2)) {
        return lease(raw);
      }
      closeQuietly(raw);
    }
    return lease(opener.open());
  }

  /** Closes the idle connections; connections handed back later are closed, not kept. */
  @Override
  public void close() {
    closed = true;
    Connection raw;
    while ((raw = idle.pollFirst()) != null) {
      idleCount.decrementAndGet();
      closeQuietly(raw);
    }
  }

  int idleConnections() {
    return idleCount.get();
  }

  private Connection lease(Connection raw) {
    AtomicBoolean returned = new AtomicBoolean();
    InvocationHandler handler = (proxy, method, args) -> {
      switch (method.getName()) {
        case "close":
          if (returned.compareAndSet(false, true)) {
            giveBack(raw);
          }
          return null;
        case "isClosed":
          return returned.get() || raw.isClosed();
        default:
          if (returned.get()) {
            throw new SQLException("connection already handed back to the pool");
          }
          try {
            return method.invoke(raw, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
      }
    };
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        handler);
  }

  private void giveBack(Connection raw) {
    try {
      if (raw.isClosed()) {
        return;
      }
      if (!raw.getAutoCommit()) {
        raw.rollback(); // a transaction left open by an exception path must not reach the next caller
        raw.setAutoCommit(true);
      }
      if (!closed) {
        if (idleCount.incrementAndGet() <= maxIdle) {
          idle.offerFirst(raw);
          if (closed && idle.remove(raw)) { // closed meanwhile: close() may have drained before the offer
            idleCount.decrementAndGet();
            raw.close();
          }
          return;
        }
        idleCount.decrementAndGet();
      }
      raw.close();
    } catch (SQLException e) {
      closeQuietly(raw);
    }
  }

  private static void closeQuietly(Connection raw) {
    try {
      raw.close();
    } catch (SQLException ignored) {
      // broken already: nothing to give back
    }
  }
}
