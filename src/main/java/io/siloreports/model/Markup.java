package io.siloreports.model;

/** Text put into HTML or XML: the page a link answers with, an email's HTML part, a chart's drawing XML. */
public final class Markup {
  private Markup() {}

  /** {@code text} with {@code & < > " '} as character references, safe in element content and quoted attributes. */
  public static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }
}
