package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.InvalidInputException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageScriptsTest {

  @TempDir Path dir;

  @Test
  void refusesAScriptLargerThanTheCapWithoutReadingIt() throws IOException {
    Path big = dir.resolve("big.sql");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(PackageScripts.MAX_SCRIPT_BYTES + 1); // sparse: no disk, and never read
    }
    assertThatThrownBy(() -> PackageScripts.read(big, "ddl/big.sql"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("ddl/big.sql: the script is " + (PackageScripts.MAX_SCRIPT_BYTES + 1) + " bytes")
        .hasMessageContaining("64 MiB");
  }

  @Test
  void refusesTextThatIsNotUtf8() throws IOException {
    Path bad = dir.resolve("bad.sql");
    Files.write(bad, new byte[] {'s', 'e', 'l', (byte) 0xff, ';'});
    assertThatThrownBy(() -> PackageScripts.read(bad, "ddl/bad.sql"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("ddl/bad.sql: not valid UTF-8 text");
  }

  @Test
  void readsUtf8Text() throws IOException {
    Path ok = dir.resolve("ok.sql");
    Files.writeString(ok, "select 'é';\n", StandardCharsets.UTF_8);
    assertThat(PackageScripts.read(ok, "ok.sql")).isEqualTo("select 'é';\n");
  }
}
