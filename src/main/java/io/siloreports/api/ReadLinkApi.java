package io.siloreports.api;

import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.model.Markup;
import io.siloreports.reportjob.DownloadLinks;
import io.siloreports.reportjob.JobId;
import io.siloreports.reportjob.ReadLinks;
import io.siloreports.reportjob.ReportJobLifecycle;
import java.io.IOException;
import java.util.Optional;

/**
 * The links notifications carry ({@code /r/<jobId>?expires=&signature=}), clicked maybe days after the job ended: the
 * signature and expiry are checked, then the job; a COMPLETED one redirects (303) to a download signed now (a
 * presigned S3 URL, or this service's signed file link). A person reads the answer, so every refusal is a short page
 * saying why, never a stack trace. No bearer token: the signature is the permission, as for {@code /api/files}.
 */
final class ReadLinkApi {
  private final ReportJobLifecycle lifecycle;
  private final DownloadLinks links;
  private final ReadLinks readLinks;

  ReadLinkApi(ReportJobLifecycle lifecycle, DownloadLinks links, ReadLinks readLinks) {
    this.lifecycle = lifecycle;
    this.links = links;
    this.readLinks = readLinks;
  }

  void routes(Router r) {
    r.add("GET", ReadLinks.PATH + "{jobId}", false, this::read);
  }

  private void read(Exchange x) throws IOException {
    String id = x.path("jobId");
    if (!validId(id) || x.query("expires") == null || x.query("signature") == null) {
      page(x, 400, "Not a report link", "This link is incomplete. Copy the whole link from the message.");
      return;
    }
    switch (readLinks.check(id, x.query("expires"), x.query("signature"))) {
      case BAD_SIGNATURE -> page(x, 403, "Not a valid link", "This link is not valid (it was changed or cut short)."
          + " Copy the whole link from the message.");
      case EXPIRED -> page(x, 403, "This link has expired", "The link to report " + id + " has expired. The report"
          + " may still be kept: find it on the service's page, or ask GET /api/reports/" + id + " for a new link.");
      case VALID -> answer(x, id, lifecycle.as("api").current(id, links));
      default -> throw new IllegalStateException("unknown link check");
    }
  }

  private static void answer(Exchange x, String id, Optional<ReportJob> job) throws IOException {
    if (job.isEmpty()) {
      page(x, 404, "Report not found", "Report " + id + " is no longer kept (old jobs are deleted).");
    } else if (job.get().status() == JobStatus.EXPIRED) {
      page(x, 410, "This report has expired", "Report " + id + " has been deleted"
          + (job.get().finishedAt() == null ? "" : " (it was finished at " + job.get().finishedAt() + ")")
          + ". Ask for a new report on the service's page.");
    } else if (job.get().status() != JobStatus.COMPLETED || job.get().s3Url() == null) {
      page(x, 409, "No report to download", "Report " + id + " is " + job.get().status() + ", nothing to download.");
    } else {
      x.redirect(303, job.get().s3Url()); // signed just now by current(): lives report.presign-ttl from this click
    }
  }

  private static boolean validId(String id) {
    try {
      JobId.requireValid(id);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void page(Exchange x, int code, String title, String message) throws IOException {
    x.text(code, "text/html; charset=utf-8", "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
        + Markup.escape(title) + "</title></head><body><h1>" + Markup.escape(title) + "</h1><p>" + Markup.escape(message) + "</p></body></html>");
  }

}
