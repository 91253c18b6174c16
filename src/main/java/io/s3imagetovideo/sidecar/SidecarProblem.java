package io.s3imagetovideo.sidecar;

/** One thing wrong with a prompt sidecar: a stable code and a message that says how to fix it. */
public record SidecarProblem(String code, String message) {}
