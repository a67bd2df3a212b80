// Cesium loads its workers and assets relative to this base (served by the same app).
window.CESIUM_BASE_URL = "/cesium/";
