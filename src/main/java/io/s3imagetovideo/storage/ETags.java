package io.s3imagetovideo.storage;

/** ETags as S3 events carry them (no quotes), and as conditional headers need them (quoted). */
public final class ETags {
    private ETags() {}

    public static String normalize(String etag) {
        if (etag == null) {
            return null;
        }
        String t = etag.trim();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    public static String quote(String etag) {
        return "\"" + normalize(etag) + "\"";
    }
}
