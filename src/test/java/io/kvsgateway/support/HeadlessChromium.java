package io.kvsgateway.support;

import java.io.File;
import java.util.logging.Level;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium, headless, driven through its chromedriver: what the browser tests (the viewer page, dash.js) play
 * media in. Autoplay needs no gesture and the browser console is kept, so a test can print it when playback fails.
 */
public final class HeadlessChromium {

	private HeadlessChromium() {
	}

	/** Skips (or, in CI, fails) the test when chromium or chromedriver is not installed. */
	public static void require() {
		ExternalTools.require("chromium");
		ExternalTools.require("chromedriver");
	}

	/** @return a new browser with a window of the given size; quit it after the test */
	public static ChromeDriver start(int width, int height) {
		ChromeOptions options = new ChromeOptions();
		options.setBinary(ExternalTools.require("chromium"));
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--mute-audio",
				"--autoplay-policy=no-user-gesture-required", "--window-size=" + width + "," + height);
		LoggingPreferences logs = new LoggingPreferences();
		logs.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logs);
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File(ExternalTools.require("chromedriver")))
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

	/**
	 * @param startupOutput what the gateway printed at start-up in embedded mode without an issuer
	 * @return the development camera token it printed, as a developer would copy it
	 */
	public static String printedCameraToken(String startupOutput) {
		String label = "camera (scope ingest, streams *):";
		int at = startupOutput.indexOf(label);
		if (at < 0) {
			throw new AssertionError("the gateway printed no camera token");
		}
		return startupOutput.substring(at + label.length()).strip().lines().findFirst().orElseThrow();
	}

}
