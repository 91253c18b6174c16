package io.s3imagetovideo.api;

import io.s3imagetovideo.config.Secret;

/** Where the bearer key comes from; read once and cached, re-read when the API says 401. */
public interface ApiKeySource {

    Secret current();

    /** Forgets the cached key and reads it again (a rotated key works without a redeploy). */
    Secret refresh();

    static ApiKeySource fixed(Secret key) {
        return new ApiKeySource() {
            @Override
            public Secret current() {
                return key;
            }

            @Override
            public Secret refresh() {
                return key;
            }
        };
    }
}
