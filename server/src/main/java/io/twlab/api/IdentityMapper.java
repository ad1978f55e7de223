package io.twlab.api;

import io.twlab.api.report.RoomGrades;
import io.twlab.app.Access;
import io.twlab.app.Classrooms;
import io.twlab.core.Limits;
import io.twlab.grading.Verdict;
import io.twlab.identity.AuditEntry;
import io.twlab.identity.Principal;
import io.twlab.identity.Workshop;
import io.twlab.lab.Lab;
import io.twlab.proto.v1.V1;
import io.twlab.proto.v1.V1.Caller;
import io.twlab.proto.v1.V1.IssuedCredential;
import io.twlab.scenario.Run;
import io.twlab.store.RecordedRun;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Identities and workshops between the domain and twlab.v1. */
public final class IdentityMapper {
  private IdentityMapper() {
  }

  public static Caller caller(Principal p) {
    return Caller.newBuilder().setId(p.id()).setRole(V1.Role.valueOf("ROLE_" + p.role().name())).setName(p.name())
        .setWorkshopId(p.workshopId().orElse("")).build();
  }

  public static IssuedCredential issued(Access.Issued issued) {
    return IssuedCredential.newBuilder().setCaller(caller(issued.principal())).setToken(issued.token())
        .setExpiresAt(ProtoMapper.timestamp(issued.expiresAt())).build();
  }

  public static V1.Workshop workshop(Access.Roster roster) {
    return workshop(roster.workshop(), "", roster.students());
  }

  public static V1.ListWorkshopsResponse workshops(List<Access.Roster> rosters) {
    return V1.ListWorkshopsResponse.newBuilder().addAllWorkshops(rosters.stream().map(IdentityMapper::workshop).toList())
        .build();
  }

  public static V1.Workshop workshop(Workshop w, String joinCode, List<Principal> students) {
    return V1.Workshop.newBuilder().setId(w.id()).setName(w.name()).setInstructorId(w.instructorId())
        .setSeats(w.seats()).setEndsAt(ProtoMapper.timestamp(w.endsAt()))
        .setEnded(w.endedAt().isPresent()).setJoinCode(joinCode)
        .addAllStudents(students.stream().map(IdentityMapper::caller).toList())
        .setSeatLimits(V1.SeatLimits.newBuilder().setLabs(w.seatLimits().labs()).setNodes(w.seatLimits().nodes())
            .setRuns(w.seatLimits().runs())
            .setWatchers(w.seatLimits().watchers()).setSweepCells(w.seatLimits().sweepCells())
            .setShells(w.seatLimits().shells()))
        .addAllScenarios(new TreeSet<>(w.scenarios())).setShellsWhileGraded(w.shellsWhileGraded()).build();
  }

  public static V1.ListAuditResponse audit(List<AuditEntry> entries) {
    V1.ListAuditResponse.Builder b = V1.ListAuditResponse.newBuilder();
    entries.forEach(e -> b.addEntries(V1.AuditEntry.newBuilder().setAt(ProtoMapper.timestamp(e.at()))
        .setPrincipalId(e.principalId()).setPrincipalName(e.principalName()).setWorkshopId(e.workshopId())
        .setAddress(e.address()).setAction(e.action()).setTarget(e.target()).setOutcome(e.outcome())));
    return b.build();
  }

  /** The labs a call on a whole workshop's labs extended or deleted. */
  public static V1.WorkshopLabsResponse workshopLabs(String workshopId, List<Lab> labs) {
    return V1.WorkshopLabsResponse.newBuilder().setWorkshopId(workshopId)
        .addAllLabs(labs.stream().map(ProtoMapper::lab).toList()).build();
  }

  public static V1.GradesExport grades(RoomGrades.Export export) {
    return V1.GradesExport.newBuilder().setFormat(export.format().id()).setContentType(export.format().contentType)
        .setFileName(export.fileName()).setBody(export.body()).build();
  }

  public static V1.Classroom classroom(Classrooms.Classroom classroom) {
    V1.Classroom.Builder b = V1.Classroom.newBuilder().setWorkshop(workshop(classroom.workshop(), "", List.of()));
    for (Classrooms.Seat seat : classroom.seats()) {
      V1.Seat.Builder s = V1.Seat.newBuilder().setStudent(caller(seat.student()))
          .addAllLabs(seat.labs().stream().map(ProtoMapper::lab).toList())
          .addAllLatestRuns(seat.latest().stream().map(IdentityMapper::brief).toList())
          .addAllShells(seat.shells());
      seat.sockets().forEach((state, n) -> s.putSockets(state.name(), n));
      seat.current().ifPresent(r -> s.setCurrentRun(brief(r)));
      b.addSeats(s);
    }
    return b.build();
  }

  private static V1.RunBrief brief(RecordedRun recorded) {
    Run run = recorded.run();
    V1.RunBrief.Builder b = V1.RunBrief.newBuilder().setId(run.id()).setLabId(run.labId()).setScenario(run.scenario())
        .setState(V1.RunState.valueOf("RUN_STATE_" + run.state().name()))
        .setStartedAt(ProtoMapper.timestamp(run.startedAt())).setError(run.error().orElse(""))
        .setPassed((int) recorded.verdicts().stream().filter(v -> v.outcome() == Verdict.Outcome.PASSED).count())
        .setFailed((int) recorded.verdicts().stream().filter(v -> v.outcome() != Verdict.Outcome.PASSED).count());
    run.finishedAt().ifPresent(t -> b.setFinishedAt(ProtoMapper.timestamp(t)));
    return b.build();
  }

  public static Access.Opened open(Access access, Principal caller, V1.CreateWorkshopRequest request) {
    Duration lasts = ProtoMapper.duration(request.getDuration());
    V1.SeatLimits asked = request.getSeatLimits();
    Limits seat = new Limits(orDefault(asked.getLabs(), Limits.SEAT.labs()), orDefault(asked.getNodes(),
        Limits.SEAT.nodes()), orDefault(asked.getRuns(), Limits.SEAT.runs()), orDefault(asked.getWatchers(), Limits.SEAT.watchers()),
        orDefault(asked.getSweepCells(), Limits.SEAT.sweepCells()), orDefault(asked.getShells(), Limits.SEAT.shells()));
    return access.openWorkshop(caller, new Access.Plan(request.getName(), request.getSeats(), lasts, seat,
        Set.copyOf(request.getScenariosList()), request.getShellsWhileGraded()));
  }

  private static int orDefault(int asked, int otherwise) {
    return asked == 0 ? otherwise : asked;
  }
}
