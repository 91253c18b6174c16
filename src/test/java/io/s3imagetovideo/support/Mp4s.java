package io.s3imagetovideo.support;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Small real MP4 files, made here so that no binary test fixture is needed: an {@code ftyp} box, a
 * {@code moov} box holding a movie header ({@code mvhd}), and an {@code mdat} box of seeded random
 * bytes that pads the file to the size asked for (so that a byte lost or changed on the way shows).
 */
public final class Mp4s {

    /** A few KB: the size of a test video unless a test needs more. */
    public static final int SMALL = 4 * 1024;

    private static final int BOX_HEADER = 8;
    private static final int MVHD_SIZE = 108;

    private Mp4s() {}

    public static byte[] small() {
        return ofSize(SMALL, 1);
    }

    /** An MP4 of exactly {@code size} bytes; {@code seed} varies the media bytes. */
    public static byte[] ofSize(int size, long seed) {
        byte[] ftyp = ftyp();
        byte[] moov = box("moov", mvhd());
        int mdatPayload = size - ftyp.length - moov.length - BOX_HEADER;
        if (mdatPayload < 0) {
            throw new IllegalArgumentException("an MP4 needs at least " + (size - mdatPayload) + " bytes");
        }
        byte[] media = new byte[mdatPayload];
        new Random(seed).nextBytes(media);
        var out = new ByteArrayOutputStream(size);
        out.writeBytes(ftyp);
        out.writeBytes(moov);
        out.writeBytes(box("mdat", media));
        return out.toByteArray();
    }

    /** True when {@code bytes} is a sequence of boxes that starts with {@code ftyp} and holds a {@code moov}. */
    public static boolean looksLikeMp4(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        boolean first = true;
        boolean moov = false;
        while (buffer.remaining() >= BOX_HEADER) {
            int size = buffer.getInt();
            byte[] type = new byte[4];
            buffer.get(type);
            String name = new String(type, StandardCharsets.US_ASCII);
            if ((first && !name.equals("ftyp")) || size < BOX_HEADER || size - BOX_HEADER > buffer.remaining()) {
                return false;
            }
            moov |= name.equals("moov");
            first = false;
            buffer.position(buffer.position() + size - BOX_HEADER);
        }
        return moov && !buffer.hasRemaining();
    }

    private static byte[] ftyp() {
        ByteBuffer payload = ByteBuffer.allocate(4 + 4 + 4 * 3);
        payload.put(ascii("isom")).putInt(0x200).put(ascii("isom")).put(ascii("iso2")).put(ascii("mp41"));
        return box("ftyp", payload.array());
    }

    /** A version 0 movie header: 1000 units a second, 10 seconds long, the identity matrix. */
    private static byte[] mvhd() {
        ByteBuffer payload = ByteBuffer.allocate(MVHD_SIZE - BOX_HEADER);
        payload.putInt(0);             // version 0, flags 0
        payload.putInt(0);             // creation time
        payload.putInt(0);             // modification time
        payload.putInt(1000);          // time scale
        payload.putInt(10_000);        // duration
        payload.putInt(0x00010000);    // rate 1.0
        payload.putShort((short) 0x0100); // volume 1.0
        payload.put(new byte[10]);     // reserved
        int[] matrix = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};
        for (int m : matrix) {
            payload.putInt(m);
        }
        payload.put(new byte[24]);     // pre-defined
        payload.putInt(2);             // next track id
        return box("mvhd", payload.array());
    }

    private static byte[] box(String type, byte[] payload) {
        ByteBuffer box = ByteBuffer.allocate(BOX_HEADER + payload.length);
        box.putInt(BOX_HEADER + payload.length).put(ascii(type)).put(payload);
        return box.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
