package io.s3imagetovideo.api;

/** A call's result: the value, or the typed reason there is none; with the HTTP exchanges it took. */
public sealed interface ApiResult<T> {

    int attempts();

    record Ok<T>(T value, int attempts) implements ApiResult<T> {}

    record Failed<T>(ApiError error, int attempts) implements ApiResult<T> {}
}
