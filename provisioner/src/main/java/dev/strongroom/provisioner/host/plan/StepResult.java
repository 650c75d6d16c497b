package dev.strongroom.provisioner.host.plan;

/** One step's outcome: its id, status and a line of detail (what differed, or why skipped). */
public record StepResult(String id, StepStatus status, String detail) {}
