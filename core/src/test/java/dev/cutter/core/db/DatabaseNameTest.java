package dev.cutter.core.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.EmbeddedPostgresServer;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database name is data: names that look like URL syntax reach exactly the database so named. */
@WithPostgres
class DatabaseNameTest {

  @TempDir Path home;

  @Test
  void connectsToExactlyTheDatabaseNamedWithUrlSyntax(TestDatabase db) throws SQLException {
    EmbeddedPostgresServer server = db.server();
    for (String name : new String[] {"a?sslmode=require", "a%20b", "a/b", "x&y=z", "a?options=-crole%3Dnobody"}) {
      try (Connection su = server.superuserConnection("postgres"); Statement st = su.createStatement()) {
        st.execute("drop database if exists " + Sql.ident(name));
        st.execute("create database " + Sql.ident(name));
      }
      ConnectionSpec spec = new ConnectionSpec("localhost", server.port(), name, "postgres", Optional.empty());
      assertThat(currentDatabase(spec)).as("spec naming %s", name).isEqualTo(name);

      String uri = "postgresql://postgres@localhost:" + server.port() + "/"
          + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
      ConnectionSpec resolved = new ConnectionResolver(Map.of(), home).resolve(uri);
      assertThat(resolved.database()).isEqualTo(name);
      assertThat(currentDatabase(resolved)).as("URI naming %s", name).isEqualTo(name);
      ConnectionSpec keywords = new ConnectionResolver(Map.of(), home)
          .resolve("host=localhost port=" + server.port() + " user=postgres dbname='" + name + "'");
      assertThat(currentDatabase(keywords)).as("keywords naming %s", name).isEqualTo(name);
    }
  }

  @Test
  void aDatabaseNameCannotChangeTheDriverSettings(TestDatabase db) throws SQLException {
    // were the name pasted into the URL, the driver would read sslmode=require and fail on a server without TLS
    ConnectionSpec spec = new ConnectionSpec("localhost", db.server().port(), db.name() + "?sslmode=require", "postgres",
        Optional.empty());
    assertThat(Connections.properties(spec, "t").getProperty("sslmode")).isEqualTo("prefer");
    assertThat(Connections.properties(spec, "t").getProperty("PGDBNAME")).isEqualTo(db.name() + "?sslmode=require");
  }

  private static String currentDatabase(ConnectionSpec spec) throws SQLException {
    try (Connection c = Connections.open(spec, "cutter test"); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
