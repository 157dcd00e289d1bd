package io.siloreports.model;

/** A job refused what it was asked before touching anything; the message says why and what to do (exit code 2). */
public class Refused extends IllegalArgumentException {
  public Refused(String message) {
    super(message);
  }
}
