package io.s3imagetovideo.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3imagetovideo.layout.BucketLayout.PairMember;
import io.s3imagetovideo.layout.BucketLayout.Role;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BucketLayoutTest {

    // --- eventKey -----------------------------------------------------------------------------

    @Test
    void decodesFormEncodedUnicodeKey() {
        assertThat(BucketLayout.eventKey("in+box/%E5%9C%BA%E6%99%AF+1%2Bx.png"))
                .contains("in box/场景 1+x.png");
    }

    @Test
    void decodesEscapedSlash() {
        assertThat(BucketLayout.eventKey("a%2Fb%2Fscene.png")).contains("a/b/scene.png");
    }

    @Test
    void leavesPlainKeyUnchanged() {
        assertThat(BucketLayout.eventKey("in/scene.prompt.json")).contains("in/scene.prompt.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%E5%9", "scene%2", "scene%zz.png", "%", "a%%41"})
    void rejectsMalformedEscape(String encoded) {
        assertThat(BucketLayout.eventKey(encoded)).isEmpty();
    }

    // --- classify -------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
            "scene.png,   scene",
            "scene.PNG,   scene",
            "scene.Jpg,   scene",
            "scene.jpeg,  scene",
            "scene.WEBP,  scene",
            "scene.jpg,   scene",
            "scene.webp,  scene",
    })
    void classifiesImageInAnyCase(String key, String name) {
        PairMember member = BucketLayout.classify(key).orElseThrow();

        assertThat(member.role()).isEqualTo(Role.IMAGE);
        assertThat(member.upload()).isEqualTo(new UploadName("", name));
        assertThat(member.key()).isEqualTo(key);
    }

    @Test
    void classifiesPromptSidecar() {
        PairMember member = BucketLayout.classify("in/scene.prompt.json").orElseThrow();

        assertThat(member.role()).isEqualTo(Role.PROMPT);
        assertThat(member.upload()).isEqualTo(new UploadName("in/", "scene"));
        assertThat(member.key()).isEqualTo("in/scene.prompt.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x.video.json", "x.mp4", "x.txt", "folder/", ".png", "dir/.prompt.json", ".prompt.json",
            "dir/.JPG", "x.json", "x.png.txt", "x.gif", "x.prompt.json.bak", "xpng", ""})
    void ignoresKeysOutsideThePair(String key) {
        assertThat(BucketLayout.classify(key)).isEmpty();
    }

    @Test
    void keepsDotsInName() {
        PairMember member = BucketLayout.classify("my.scene.v2.png").orElseThrow();

        assertThat(member.upload().name()).isEqualTo("my.scene.v2");
        assertThat(member.upload().prefix()).isEmpty();
    }

    @Test
    void keepsDotsInSidecarName() {
        assertThat(BucketLayout.classify("my.scene.v2.prompt.json").map(m -> m.upload().name()))
                .contains("my.scene.v2");
    }

    @Test
    void splitsNestedPrefixAtLastSlash() {
        PairMember member = BucketLayout.classify("a/b c/场景 1+x.jpeg").orElseThrow();

        assertThat(member.upload()).isEqualTo(new UploadName("a/b c/", "场景 1+x"));
        assertThat(member.role()).isEqualTo(Role.IMAGE);
    }

    @Test
    void pairsImageAndSidecarOfTheSameUpload() {
        Optional<UploadName> image = BucketLayout.classify("in/scene.PNG").map(PairMember::upload);
        Optional<UploadName> prompt = BucketLayout.classify("in/scene.prompt.json").map(PairMember::upload);

        assertThat(image).isPresent().isEqualTo(prompt);
    }

    // --- UploadName -----------------------------------------------------------------------------

    @Test
    void uploadNameWithoutPrefix() {
        UploadName upload = UploadName.of("scene");

        assertThat(upload.prefix()).isEmpty();
        assertThat(upload.name()).isEqualTo("scene");
        assertThat(upload.base()).isEqualTo("scene");
    }

    @Test
    void uploadNameWithPrefix() {
        UploadName upload = UploadName.of("in/2026/my scene");

        assertThat(upload.prefix()).isEqualTo("in/2026/");
        assertThat(upload.name()).isEqualTo("my scene");
        assertThat(upload.base()).isEqualTo("in/2026/my scene");
    }

    @Test
    void derivesKeysOfEveryObjectOfAnUpload() {
        UploadName upload = UploadName.of("in/my.scene");

        assertThat(upload.sidecarKey()).isEqualTo("in/my.scene.prompt.json");
        assertThat(upload.recordKey()).isEqualTo("in/my.scene.video.json");
        assertThat(upload.videoKey()).isEqualTo("in/my.scene.mp4");
    }

    @Test
    void derivesKeysWithoutPrefix() {
        UploadName upload = new UploadName("", "场景 1+x");

        assertThat(upload.sidecarKey()).isEqualTo("场景 1+x.prompt.json");
        assertThat(upload.recordKey()).isEqualTo("场景 1+x.video.json");
        assertThat(upload.videoKey()).isEqualTo("场景 1+x.mp4");
    }

    @Test
    void ownOutputsAreNotPairMembers() {
        UploadName upload = UploadName.of("in/scene");

        assertThat(BucketLayout.classify(upload.recordKey())).isEmpty();
        assertThat(BucketLayout.classify(upload.videoKey())).isEmpty();
        assertThat(BucketLayout.classify(upload.sidecarKey())).map(PairMember::upload).contains(upload);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b"})
    void rejectsEmptyNameOrNameWithSlash(String name) {
        assertThatThrownBy(() -> new UploadName("in/", name)).isInstanceOf(IllegalArgumentException.class);
    }

    // --- isImageOf ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"in/cat.png", "in/cat.PNG", "in/cat.jpg", "in/cat.JPEG", "in/cat.webp"})
    void recognisesImageOfExactlyThisUpload(String key) {
        assertThat(BucketLayout.isImageOf(UploadName.of("in/cat"), key)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"in/cat.v2.png", "in/cats.png", "in/cat.prompt.json", "in/cat.video.json", "in/cat.mp4",
            "in/cat", "cat.png", "other/in/cat.png", "in/sub/cat.png", "in/cat.png.png", "in/cat.gif"})
    void doesNotRecogniseOtherKeysAsImageOfUpload(String key) {
        assertThat(BucketLayout.isImageOf(UploadName.of("in/cat"), key)).isFalse();
    }

    @Test
    void aSavedThumbnailIsNoImageOfAnUploadNamedLikeIt() {
        // in/cat.thumbnail.prompt.json names the upload "in/cat.thumbnail"; the poll function's thumbnail
        // of in/cat must not become its image.
        UploadName upload = UploadName.of("in/cat.thumbnail");

        assertThat(BucketLayout.isImageOf(upload, "in/cat.thumbnail.png")).isFalse();
        assertThat(BucketLayout.isImageOf(upload, "in/cat.thumbnail.jpg")).isFalse();
        assertThat(BucketLayout.isImageOf(upload, "in/cat.thumbnail.webp")).isFalse();
    }

    @Test
    void imageOfUploadWithoutPrefixDoesNotMatchPrefixedKey() {
        UploadName upload = UploadName.of("cat");

        assertThat(BucketLayout.isImageOf(upload, "cat.png")).isTrue();
        assertThat(BucketLayout.isImageOf(upload, "in/cat.png")).isFalse();
    }
}
