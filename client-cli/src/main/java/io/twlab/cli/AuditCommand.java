package io.twlab.cli;

import io.twlab.proto.v1.V1.AuditEntry;
import io.twlab.proto.v1.V1.ListAuditRequest;
import io.twlab.proto.v1.V1.ListAuditResponse;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", description = {"Instructors and the admin: who changed what, and which calls were refused, "
    + "newest first (an instructor sees their own calls and their workshops')."})
final class AuditCommand extends ServerCommand {
  @Option(names = "--workshop", paramLabel = "WORKSHOP", description = "only this workshop's entries")
  String workshop = "";
  @Option(names = "--limit", defaultValue = "50", description = "how many (1-1000, default ${DEFAULT-VALUE})")
  int limit;

  @Override
  int call(ServerConnection server) {
    ListAuditResponse log = server.workshops().listAudit(ListAuditRequest.newBuilder().setWorkshopId(workshop)
        .setLimit(limit).build());
    print(log, out -> {
      Table t = new Table("AT", "WHO", "FROM", "ACTION", "TARGET", "OUTCOME");
      for (AuditEntry e : log.getEntriesList()) {
        t.row(Instant.ofEpochSecond(e.getAt().getSeconds(), e.getAt().getNanos()).toString(),
            e.getPrincipalId().isEmpty() ? "(no credential)" : e.getPrincipalName() + " (" + e.getPrincipalId() + ")",
            e.getAddress(), e.getAction(), e.getTarget(), e.getOutcome());
      }
      t.print(out);
    });
    return 0;
  }
}
