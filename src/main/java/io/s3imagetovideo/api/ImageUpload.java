package io.s3imagetovideo.api;

/** The {@code input_reference} file part: the image's file name, its real content type and its bytes. */
public record ImageUpload(String fileName, String contentType, byte[] bytes) {

    @Override
    public String toString() {
        return "ImageUpload[fileName=" + fileName + ", contentType=" + contentType + ", bytes=" + bytes.length + "]";
    }
}
